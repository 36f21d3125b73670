Attribute VB_Name = "XlmplanRibbon"
' Ribbon callbacks of the xlmplan add-in. Every button of the "Marketing Plan" tab calls
' OnButton, which hands the button's tag to xlmplan's Python dispatcher through xlwings'
' RunPython. Python's own messages (errors included) come back as message boxes.
Option Explicit

Private Const TITLE As String = "xlmplan"
Private Const SETUP_HINT As String = "To set it up, open a terminal and run:" & vbLf & vbLf & _
    "    pip install xlmplan" & vbLf & "    xlmplan addin install" & vbLf & vbLf & _
    "then restart Excel. The guide is in docs/excel-addin.md."

' The ribbon's onLoad: gives the worksheet functions their category and descriptions
' in Excel's function wizard (module xlwings_udfs, written by the add-in's build).
Public Sub OnRibbonLoad(ribbon As IRibbonUI)
    #If Not Mac Then
        On Error Resume Next ' late-bound: xlwings' own Import Functions drops that module
        Application.Run "'" & ThisWorkbook.Name & "'!RegisterXlmplanFunctions"
    #End If
End Sub

Public Sub OnButton(control As IRibbonControl)
    Dim problem As String
    problem = PythonProblem()
    If problem <> "" Then
        MsgBox problem & vbLf & vbLf & SETUP_HINT, vbExclamation, TITLE
        Exit Sub
    End If
    On Error GoTo Failed
    RunPython "import xlmplan.addin.ribbon as ribbon; ribbon.on_action('" & control.Tag & "')"
    Exit Sub
Failed:
    MsgBox "xlmplan could not run Python: " & Err.Description & vbLf & vbLf & SETUP_HINT, _
        vbExclamation, TITLE
End Sub

' Why Python cannot run, or "" when it can: no interpreter recorded, or (on Windows) one
' that no longer exists. xlwings' GetConfig reads the add-in's "xlmplan.conf" sheet, then
' %USERPROFILE%\.xlmplan\xlmplan.conf (~/.xlmplan/xlmplan.conf on macOS).
Private Function PythonProblem() As String
    Dim interpreter As String
    #If Mac Then
        interpreter = GetConfig("INTERPRETER_MAC", "")
    #Else
        interpreter = GetConfig("INTERPRETER_WIN", "")
    #End If
    If interpreter = "" Then
        PythonProblem = "Python is not set up for xlmplan: no interpreter is recorded."
        Exit Function
    End If
    #If Not Mac Then
        If Dir(interpreter) = "" Then
            PythonProblem = "Python is not set up for xlmplan: the recorded interpreter" & _
                vbLf & interpreter & vbLf & "does not exist (was Python moved or uninstalled?)."
        End If
    #End If
End Function
